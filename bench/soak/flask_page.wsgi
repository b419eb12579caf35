# A Flask page for the soak test (Debian's python3-flask): routing, a Jinja template, a query argument.
from flask import Flask, render_template_string, request

app = Flask(__name__)

PAGE = '''<!doctype html>
<html><head><title>Soak {{ name }}</title></head>
<body><h1>Hello {{ name }}</h1>
<ul>{% for i in range(20) %}<li>item {{ i }}</li>{% endfor %}</ul>
</body></html>'''


@app.route('/page')
def page():
    return render_template_string(PAGE, name=request.args.get('name', 'nobody'))


application = app
