"""Request bodies over the limits get the French 413 page, before anything reads them.

CsrfViewMiddleware reads request.POST (so the whole multipart body, files spooled to disk) before any
view runs: a view cannot refuse a too big upload in time. This middleware, whose __call__ runs before
every middleware's process_view, answers 413 when Content-Length exceeds CLAUSES_MAX_UPLOAD_MB (a
multipart form, plus MULTIPART_SLACK for the form's other fields and boundaries) or
DATA_UPLOAD_MAX_MEMORY_SIZE (any other body), and when Django's own RequestDataTooBig fires (a multipart
form whose text fields exceed DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 otherwise)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render

MULTIPART_SLACK = 64 * 1024


def max_upload_bytes():
    return int(getattr(settings, "CLAUSES_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def too_large(request):
    """The 413 page, in the application's layout."""
    return render(request, "413.html", {"max_mb": max_upload_bytes() // 1024 // 1024}, status=413)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            multipart = request.content_type == "multipart/form-data"
            if multipart:
                limit = max_upload_bytes() + MULTIPART_SLACK
            else:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return too_large(request)
            if multipart:
                try:
                    request.POST  # noqa: B018 - parsed here (CSRF would) so that Django's limit gives a 413
                except RequestDataTooBig:
                    return too_large(request)
        return self.get_response(request)
