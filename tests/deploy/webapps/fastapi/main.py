"""A FastAPI app: a page and a JSON endpoint."""

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

VERSION = "1"

app = FastAPI()


@app.get("/", response_class=HTMLResponse)
def page() -> str:
    return f"<h1>FastAPI sample, version {VERSION}</h1>"


@app.get("/api/info")
def info() -> dict[str, str]:
    return {"framework": "fastapi", "version": VERSION}
