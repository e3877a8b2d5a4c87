from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def home(request):
    """The home page after login: the manager's dashboard (reporting/views_dashboard.py)."""
    from reporting.views_dashboard import dashboard_view

    return dashboard_view(request)


@login_not_required
@require_GET
def health(request):
    """For the reverse proxy and monitoring: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
