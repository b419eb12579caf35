# A Flask app (Debian's python3-flask) with JSON, a form post and a template.
import os

from flask import Flask, jsonify, render_template_string, request, send_file

application = Flask(__name__)
# Protected downloads as Flask's documentation has them behind Apache's mod_xsendfile: send_file
# answers with an X-Sendfile header and the file's length, and the server sends the file.
application.config['USE_X_SENDFILE'] = True
DOWNLOADS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'downloads')


@application.route('/api/<name>')
def api(name):
    return jsonify(hello=name, args=request.args.to_dict(), script_root=request.script_root)


@application.route('/form', methods=['POST'])
def form():
    return jsonify(fields=request.form.to_dict(), files=sorted(request.files))


@application.route('/page')
def page():
    return render_template_string('<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>', items=['a', '<b>'])


@application.route('/download/<name>')
def download(name):
    return send_file(os.path.join(DOWNLOADS, name), mimetype='text/plain', as_attachment=True)
