"""The block « Comptes en ligne » of a company's or a buyer's page (facilitators and the manager only):

{% load spaces_tags %}
{% external_accounts_for company %}     its accounts (invited, accepted when, last login, revoke) and the
                                        form « Inviter un contact »

Nothing (and no query) for the other roles."""

from django import template

from clauses_site import roles
from companies.models import Company
from spaces.models import ExternalAccount

register = template.Library()


@register.inclusion_tag("spaces/includes/accounts_for.html", takes_context=True)
def external_accounts_for(context, organisation):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not roles.can_edit(user):
        return {"hidden": True}
    is_company = isinstance(organisation, Company)
    accounts = ExternalAccount.objects.of(organisation).select_related("user", "invited_by", "revoked_by")
    return {
        "accounts": list(accounts),
        "organisation": organisation,
        "invite_url_name": "external_accounts:invite_company"
        if is_company
        else "external_accounts:invite_buyer",
        "what": "l'entreprise" if is_company else "le donneur d'ordre",
    }
