# A Flask app (Debian's python3-flask) with JSON, a form post and a template.
from flask import Flask, jsonify, render_template_string, request

application = Flask(__name__)


@application.route('/api/<name>')
def api(name):
    return jsonify(hello=name, args=request.args.to_dict(), script_root=request.script_root)


@application.route('/form', methods=['POST'])
def form():
    return jsonify(fields=request.form.to_dict(), files=sorted(request.files))


@application.route('/page')
def page():
    return render_template_string('<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>', items=['a', '<b>'])
