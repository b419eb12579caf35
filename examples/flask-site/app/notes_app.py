"""A small Flask site: a template, a form post, a JSON API and a streamed response."""
import time

from flask import Flask, Response, jsonify, redirect, render_template, request, url_for

app = Flask(__name__)
NOTES = []


@app.route('/')
def index():
    return render_template('index.html', notes=NOTES)


@app.route('/notes', methods=['POST'])
def add_note():
    text = request.form.get('text', '').strip()
    if not text:
        return render_template('index.html', notes=NOTES, error='A note needs some text.'), 400
    NOTES.append(text)
    return redirect(url_for('index'))


@app.route('/api/notes')
def api_notes():
    return jsonify(notes=NOTES, count=len(NOTES), script_name=request.script_root)


@app.route('/stream')
def stream():
    def lines():
        for i in range(5):
            yield 'line %d\n' % i
            time.sleep(0.05)
    return Response(lines(), mimetype='text/plain')
