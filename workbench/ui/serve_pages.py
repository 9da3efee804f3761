"""The pages ``workbench serve`` sends: the join form, the app's page, the refusals.

Written here rather than taken from textual-serve's template, which loads its font
from fonts.googleapis.com: every page, style sheet and font comes from this server
(the font is the Roboto Mono that textual-serve ships in its static folder).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

FORBIDDEN = (
    "403 Forbidden: open the URL printed by `workbench serve` (it ends in ?token=...); "
    "ask the facilitator for it.\n"
)
NOT_ALLOWED_HERE = (
    "403 Forbidden: this server answers only the address it printed "
    "(open the URL printed by `workbench serve`).\n"
)

_COMMON_STYLE = """
      @font-face {
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: normal;
      }
      @font-face {
        font-family: "Roboto Mono";
        src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
        font-weight: 100 700;
        font-style: italic;
      }
      body { background: #0c181f; color: rgba(255, 255, 255, 0.95); margin: 0; }
"""

JOIN = (
    """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Join · {{ title }}</title>
    <style>"""
    + _COMMON_STYLE
    + """
      main {
        font-family: "Roboto Mono", menlo, monospace; max-width: 36em;
        margin: 10vh auto; padding: 2em; background: #12232d;
      }
      h1 { font-size: 1.2em; }
      label, input, button { display: block; font: inherit; margin-top: 0.8em; }
      input { width: 100%; box-sizing: border-box; padding: 0.4em; }
      button { padding: 0.6em 2em; background: #5e0ba7; color: inherit; border: none; }
      .hint { color: rgba(255, 255, 255, 0.7); font-size: 0.9em; }
      .problem { color: #ff8a80; }
    </style>
  </head>
  <body>
    <main>
      <h1>{{ title }}</h1>
      <form method="get" action="/">
        <input type="hidden" name="token" value="{{ token }}">
        <label for="name">Your name</label>
        <input id="name" name="name" maxlength="{{ longest }}" required autofocus
               value="{{ name }}">
        {% if problem %}<p class="problem">{{ problem }}</p>{% endif %}
        {% if read_only %}
        <p class="hint">You join as an observer: you can look at everything, not edit.</p>
        {% else %}
        <p class="hint">The project's history records your edits under this name.</p>
        {% endif %}
        <button type="submit">Join</button>
      </form>
    </main>
  </body>
</html>
"""
)

APP = (
    """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{{ title }}</title>
    <link rel="stylesheet" href="/static/css/xterm.css">
    <script src="/static/js/textual.js"></script>
    <style>"""
    + _COMMON_STYLE
    + """
      .dialog-container {
        position: absolute; width: 100vw; height: 100vh; display: flex;
        align-items: center; justify-content: center; z-index: 10;
      }
      .shade {
        position: absolute; width: 100%; height: 100%; background: #0c181f;
        background-image: url("/static/images/background.png");
      }
      .intro {
        width: 640px; min-height: 200px; font-size: 16px; z-index: 20;
        font-family: "Roboto Mono", menlo, monospace; text-align: center;
        background-color: #12232d; display: flex; flex-direction: column;
        align-items: center; justify-content: center; margin: 32px;
      }
      .who { color: rgba(255, 255, 255, 0.7); margin-top: 8px; }
      body.-first-byte .intro-dialog, body.-first-byte .intro-dialog .shade {
        opacity: 0; transition: opacity 0.3s ease-out; display: none;
      }
      body .textual-terminal { opacity: 0; transition: opacity 0.3s ease-out; }
      body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
      button {
        padding: 16px 32px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        border: none; font-family: "Roboto Mono", menlo, monospace; margin: 16px;
      }
      button:hover { background: #ac5af4; cursor: pointer; }
      .closed-dialog { opacity: 0; display: none; }
      body.-closed .closed-dialog { opacity: 1; display: flex; }
      #start { display: none; }
      #start.-delay { display: flex; }
    </style>
    <script>
      function refresh() {
        const params = new URLSearchParams(window.location.search);
        params.delete("delay");
        window.location.href = window.location.pathname + "?" + params.toString();
      }
    </script>
  </head>
  <body>
    <div class="dialog-container intro-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div>{{ title }}</div>
        <div class="who">{{ name }}{% if read_only %} · observer (read-only){% endif %}</div>
        <button type="button" onclick="refresh()" id="start">Start</button>
      </div>
    </div>
    <div class="dialog-container closed-dialog">
      <div class="shade"></div>
      <div class="intro">
        <div class="message">Session ended.</div>
        <button type="button" onclick="refresh()">Restart</button>
      </div>
    </div>
    <div id="terminal" class="textual-terminal"
         data-session-websocket-url="{{ websocket_url }}"
         data-font-size="{{ font_size }}"></div>
  </body>
</html>
"""
)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render(page: str, **values: Any) -> str:
    """``page`` (JOIN or APP) with ``values``, every one HTML-escaped."""
    return _environment().from_string(page).render(**values)


def full(sessions: int) -> str:
    return (
        f"503 Service Unavailable: all {sessions} sessions are in use. Try again when "
        "someone leaves, or ask the facilitator to restart `workbench serve` with a "
        "larger --max-sessions.\n"
    )
