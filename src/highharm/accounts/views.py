from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from highharm.accounts.decorators import login_only
from highharm.accounts.forms import LoginForm, TokenForm
from highharm.accounts.selectors import home_panels_for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


login_view = LoginView.as_view()
login_view.required_capability = None
login_view.public = True


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    return redirect("accounts:login")


logout_view.public = True


@login_only
def home(request):
    return render(
        request,
        "accounts/home.html",
        {"panels": home_panels_for(request.user), "home_sections": home_sections(request)},
    )


def home_sections(request) -> list[dict]:
    """Sections other apps add to the home page (settings.HOME_SECTIONS), e.g. a dashboard.

    Each entry is a dotted path to a function (request) -> {"template", "context"} or None.
    """
    from django.conf import settings
    from django.utils.module_loading import import_string

    sections = []
    for dotted in getattr(settings, "HOME_SECTIONS", []):
        section = import_string(dotted)(request=request)
        if section:
            sections.append(section)
    return sections


@login_only
def two_factor(request):
    """Verify a TOTP code, or enrol an authenticator app the first time."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from highharm.audit.services import access_log_record

    device = TOTPDevice.objects.filter(user=request.user).first()
    enrolling = device is None or not device.confirmed
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            access_log_record(
                request=request, action="two_factor", object_type="user", object_id=request.user.pk
            )
            return redirect("home")
        # A wrong code, or any code while django-otp throttles after earlier failures.
        access_log_record(
            request=request,
            action="two_factor_failed",
            object_type="user",
            object_id=request.user.pk,
        )
        form.add_error(
            "otp_token", "That code is not right, or has expired. Enter the current code."
        )
    qr_svg = _qr_svg(device.config_url) if enrolling else ""
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "enrolling": enrolling, "qr_svg": qr_svg, "device": device},
    )


def _qr_svg(text: str) -> str:
    import io

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def forbidden(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
