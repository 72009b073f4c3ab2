"""A Flask app: a page and a JSON endpoint."""

from flask import Flask, jsonify
from flask.wrappers import Response

VERSION = "1"

app = Flask(__name__)


@app.get("/")
def page() -> str:
    return f"<h1>Flask sample, version {VERSION}</h1>"


@app.get("/api/info")
def info() -> Response:
    return jsonify(framework="flask", version=VERSION)
