"""« Double authentification »: every user may enrol an authenticator app (TOTP, django-otp) from the user
menu, confirm it with a code, remove it; a user with a device types a code after the password
(clauses_site/security.py sends them here)."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from clauses_site import security


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres",
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "style": "max-width: 12rem",
            }
        ),
        help_text="Le code affiché par votre application d'authentification (il change toutes les 30 s).",
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Le code doit compter 6 chiffres, par exemple 123456.")
        allowed, why = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(
                "Trop de codes erronés : attendez quelques secondes avant de réessayer "
                f"(prochain essai possible à {why['locked_until'].astimezone():%H:%M:%S})."
            )
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "Ce code n'est pas le bon (ou a déjà servi) : vérifiez l'heure de votre téléphone et "
                "tapez le code affiché maintenant."
            )
        return code


def _next_url(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("home")


def _pending_device(user):
    """The device being enrolled (not confirmed yet), created on the first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return device


def _secret(device):
    """The secret in base32, in groups of four, to type it by hand."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _qr_svg(device):
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))  # noqa: S308


def two_factor(request):
    """Enrol (QR code or typed secret, then a code), see the state, remove."""
    user = request.user
    device = security.confirmed_devices(user).first()
    required = security.two_factor_required(user)
    if device is not None:
        form = CodeForm(request.POST or None, device=device)
        if request.method == "POST" and request.POST.get("action") == "remove" and form.is_valid():
            TOTPDevice.objects.filter(user=user).delete()
            security.remember_device(request, user, False)
            messages.success(request, "Double authentification retirée.")
            return redirect("two_factor")
        return render(
            request,
            "registration/two_factor.html",
            {"device": device, "form": form, "required": required, "next": _next_url(request)},
        )
    pending = _pending_device(user)
    form = CodeForm(request.POST or None, device=pending)
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        django_otp.login(request, pending)
        security.remember_device(request, user, True)
        messages.success(
            request,
            "Double authentification activée : à chaque connexion, le code de votre application "
            "vous sera demandé après le mot de passe.",
        )
        return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor.html",
        {
            "form": form,
            "required": required,
            "qr_svg": _qr_svg(pending),
            "secret": _secret(pending),
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
    )


def two_factor_verify(request):
    """The second step of the log-in: the code of the user's device."""
    user = request.user
    device = security.confirmed_devices(user).first()
    if device is None:
        security.remember_device(request, user, False)
        return redirect(_next_url(request))
    if security.is_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, device)
        return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next") or ""},
    )
