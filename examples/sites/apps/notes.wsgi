# A second small app for the example sites: a Flask app, as teams deploy them under mod_wsgi.
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route('/')
def index():
    env = request.environ
    return jsonify(app='notes', script_name=env['SCRIPT_NAME'], path=request.path,
                   server_name=env['SERVER_NAME'], server_port=env['SERVER_PORT'],
                   group=env.get('mod_wsgi.application_group'),
                   remote_user=env.get('REMOTE_USER'), auth_type=env.get('AUTH_TYPE'))


@app.route('/<name>')
def note(name):
    return jsonify(app='notes', note=name, script_name=request.environ['SCRIPT_NAME'])


# mod_wsgi looks for "application"; Flask calls it "app" (or: WSGICallableObject app).
application = app
