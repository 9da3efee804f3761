"""The baseline for cold start: a bare Textual app (a Header, a Static and a Footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
