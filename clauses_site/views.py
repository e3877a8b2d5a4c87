from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


def home(request):
    """The home page after login (the manager's dashboard grows here)."""
    return render(request, "home.html")


@login_not_required
@require_GET
def health(request):
    """For the reverse proxy and monitoring: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
