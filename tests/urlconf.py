"""Walks the project's URLconf, so that access tests cover every URL, new ones included."""

from django.urls import URLPattern, URLResolver, get_resolver


def iter_patterns(patterns=None, prefix="", namespace=None):
    """Yield (full name or None, route regex-ish string, pattern) for every URL of the project."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns and namespace:
                ns = f"{namespace}:{ns}"
            elif not ns:
                ns = namespace
            yield from iter_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, prefix + str(p.pattern), p


def project_url_names():
    """Named URLs of the project itself (the admin site has its own login and tests)."""
    return sorted({name for name, route, _ in iter_patterns() if name and not route.startswith("admin/")})
