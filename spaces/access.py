"""Marks on views read by spaces.middleware.ExternalAccessMiddleware."""


def space_view(view):
    """A page of the space: open to external users only (403 to the team)."""
    view.space = "external"
    return view


def open_view(view):
    """A page open to anyone whatever their role (the invitation's link: the invited person may still be
    signed in as someone else on that browser)."""
    view.space = "everyone"
    return view
