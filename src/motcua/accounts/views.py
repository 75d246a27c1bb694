"""Staff sign-in (password, then TOTP when enabled), the staff home, staff list and audit log."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import otp, selectors, services, throttle
from .decorators import staff_required
from .forms import AuditFilterForm, OTPCodeForm, StaffFilterForm, StaffLoginForm
from .models import StaffAssignment
from .selectors import AUDIT_VIEWER_ROLES, STAFF_VIEWER_ROLES

User = get_user_model()
STAFF_PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50


def _locked_response(request, username: str = ""):
    return get_lockout_response(request, None, {"username": username})


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


# --- sign-in -------------------------------------------------------------------------------


class StaffLoginView(LoginView):
    """Password step. With a confirmed TOTP device it only parks the user for the code step."""

    template_name = "accounts/login.html"
    form_class = StaffLoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip()
        self.attempt = throttle.admit(request, username)
        if self.attempt.refused:
            services.record_login_failure(username=username, reason=self.attempt.refused)
            return _locked_response(
                request, "" if self.attempt.refused == "ip_blocked" else username
            )
        try:
            return super().post(request, *args, **kwargs)
        except BaseException:
            self.attempt.cancel()  # not judged: an error of ours is no failure of theirs
            raise

    def form_valid(self, form):
        self.attempt.succeeded()
        user = form.get_user()
        next_url = self.get_success_url()
        if otp.has_confirmed_device(user):
            otp.start_pending(self.request, user, next_url)
            return redirect("accounts:otp_verify")
        auth_login(self.request, user)
        services.record_login(user=user, second_factor=False)
        return redirect(next_url)

    def form_invalid(self, form):
        username = form.data.get("username", "").strip()
        if not (username and form.data.get("password")):
            self.attempt.cancel()  # nothing was checked
        else:
            locked = bool(getattr(self.request, "axes_locked_out", False))
            services.record_login_failure(
                username=username, reason="locked_out" if locked else "invalid"
            )
        return super().form_invalid(form)


@never_cache
def otp_verify(request):
    """Code step: finishes a parked password login, or verifies an already open session."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
        if not user.is_staff_member or not otp.has_confirmed_device(user):
            return redirect("accounts:home")
        next_url = _safe_next(request, request.GET.get("next"))
        if otp.session_is_verified(request):
            return redirect(next_url)
    else:
        pending = otp.pending(request)
        user = None
        if pending is not None:
            user = User.objects.filter(pk=pending["uid"], is_active=True).first()
        if user is None or not user.is_staff_member:
            otp.clear_pending(request)
            messages.info(request, _("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."))
            return redirect("accounts:login")
        next_url = _safe_next(request, pending.get("next"))

    credentials = {"username": user.username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        otp.clear_pending(request)
        return _locked_response(request, user.username)

    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.confirmed_device(user)
        allowed, _info = device.verify_is_allowed() if device else (False, None)
        if device is not None and not allowed:
            form.add_error("code", _("Bạn vừa nhập sai. Vui lòng đợi vài giây rồi nhập lại."))
        else:
            device = services.verify_login_code(user=user, token=form.cleaned_data["code"])
            if device is not None:
                if pending is not None:
                    otp.clear_pending(request)
                    auth_login(request, user, backend=pending["backend"])
                otp_login(request, device)
                services.record_login(user=user, second_factor=True)
                return redirect(next_url)
            # A wrong code is a failed sign-in for axes: five of them lock the account+IP.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            throttle.count_ip_failure(request)
            locked = bool(getattr(request, "axes_locked_out", False))
            services.record_login_failure(
                username=user.username, reason="locked_out" if locked else "invalid", step="otp"
            )
            if locked:
                otp.clear_pending(request)
                if request.user.is_authenticated:
                    logout(request)
                return _locked_response(request, user.username)
            form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn."))
    return render(request, "accounts/otp_verify.html", {"form": form, "person": user})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        services.record_logout(user=request.user)
    otp.clear_pending(request)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- second factor setup -------------------------------------------------------------------


@staff_required
@never_cache
def otp_setup(request):
    user = request.user
    if otp.has_confirmed_device(user):
        return render(request, "accounts/otp_setup.html", {"enabled": True, "form": OTPCodeForm()})
    device = services.start_totp_setup(user=user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user=user, device=device, token=form.cleaned_data["code"]):
            device.refresh_from_db()
            otp_login(request, device)
            messages.success(
                request,
                _("Đã bật xác thực hai bước. Từ lần sau, sau mật khẩu bạn sẽ nhập mã 6 số."),
            )
            return redirect("accounts:home")
        form.add_error(
            "code", _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại.")
        )
    context = {
        "enabled": False,
        "form": form,
        "qr": otp.qr_data_uri(device),
        "secret": otp.secret_base32(device),
    }
    return render(request, "accounts/otp_setup.html", context)


@staff_required
@require_POST
def otp_disable(request):
    form = OTPCodeForm(request.POST)
    if form.is_valid() and services.disable_totp(
        user=request.user, token=form.cleaned_data["code"]
    ):
        messages.success(request, _("Đã tắt xác thực hai bước."))
    else:
        messages.error(request, _("Mã xác thực không đúng, xác thực hai bước vẫn đang bật."))
    return redirect("accounts:otp_setup")


# --- staff area ----------------------------------------------------------------------------


@staff_required
def home(request):
    assignments = (
        StaffAssignment.objects.filter(user_id=request.user.pk, is_active=True)
        .select_related("unit", "department", "village")
        .order_by("unit__name", "role")
    )
    return render(
        request,
        "accounts/home.html",
        {"assignments": assignments, "otp_enabled": otp.has_confirmed_device(request.user)},
    )


@staff_required(*STAFF_VIEWER_ROLES)
def staff_list(request):
    units = list(selectors.staff_units(request.user))
    form = StaffFilterForm(request.GET or None, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.staff_for(
        request.user,
        unit_id=filters.get("unit"),
        role=filters.get("role") or "",
        q=filters.get("q") or "",
    )
    if form.is_bound and not form.is_valid():
        people = people.none()
    page = Paginator(people, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"form": form, "page": page})


@staff_required(*STAFF_VIEWER_ROLES)
def staff_detail(request, pk: int):
    person = selectors.staff_member_for(request.user, pk)
    if person is None:
        raise Http404
    return render(
        request,
        "accounts/staff_detail.html",
        {"person": person, "otp_enabled": otp.has_confirmed_device(person)},
    )


@staff_required(*AUDIT_VIEWER_ROLES)
def audit_list(request):
    events = selectors.audit_events_for(request.user)
    form = AuditFilterForm(request.GET or None, actions=selectors.audit_action_choices(events))
    if form.is_valid():
        events = selectors.filter_audit_events(events, **form.cleaned_data)
    elif form.is_bound:
        events = events.none()
    page = Paginator(events.select_related("unit").order_by("-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for event in page.object_list:
        event.action_label = selectors.action_label(event.action)
    return render(request, "accounts/audit_list.html", {"form": form, "page": page})


@staff_required(*AUDIT_VIEWER_ROLES)
def audit_detail(request, pk: int):
    event = selectors.audit_events_for(request.user).select_related("unit").filter(pk=pk).first()
    if event is None:
        raise Http404
    event.action_label = selectors.action_label(event.action)
    changes = event.changes if isinstance(event.changes, dict) else {"": event.changes}
    return render(request, "accounts/audit_detail.html", {"event": event, "changes": changes})
