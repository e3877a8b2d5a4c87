"""Posting an edit form as a browser does: the page is opened first and its record version
(clauses_site/versioning.py, the hidden field every update form carries) is sent back with the data.

    post_edit(client, url, {"name": "…"})      # GET the page, POST data + the version it carried
    data = form_data(client.get(url))          # every value of the page's form, as a browser sends it
"""

from html.parser import HTMLParser

from clauses_site import versioning


def version_of(client, url):
    """The record version the edit page at `url` is rendered with."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.context["record_version"]


def post_edit(client, url, data, **kwargs):
    """GET the edit page, then POST `data` with the version it carried."""
    return client.post(url, {versioning.FIELD: version_of(client, url), **data}, **kwargs)


class _FormParser(HTMLParser):
    """The successful controls of <form id="formulaire">: text-like inputs, checked boxes and radios,
    selected options (the first one when none is), textareas."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form = [], False
        self.select = self.textarea = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "formulaire":
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "reset"):
                self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.options = (name, "multiple" in a), []
        elif tag == "option" and self.select:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            chosen = [v for v, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]
            self.data += [(name, v) for v in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text.removeprefix("\n")))
            self.textarea = None


def form_data(response):
    """{name: value, or list of values} of the edit form in `response`, as a browser would send it."""
    parser = _FormParser()
    parser.feed(response.content.decode())
    assert parser.data, f"no edit form in the page (status {response.status_code})"
    data = {}
    for name, value in parser.data:
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    return data
