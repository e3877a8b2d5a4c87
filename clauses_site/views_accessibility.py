"""The accessibility statement (« Déclaration d'accessibilité »), public like the log-in page: French
public bodies publish one for every online service (RGAA 4.1, loi n° 2005-102, article 47)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def accessibility(request):
    return render(request, "accessibility.html", {"contact": settings.CLAUSES_ACCESSIBILITY_CONTACT})
