"""Navigation for the staff area, built from the roles the user holds.

The same list feeds the menu bar and the cards of the staff home page; an entry whose URL does
not exist (yet) is simply left out, so nothing links to a page that is not there.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# (label, url name, roles that see it or None for every staff member, one-line description)
STAFF_MENU = [
    (_("Trang làm việc"), "accounts:home", None, ""),
    (
        _("Thủ tục hành chính"),
        "catalog:staff_procedure_list",
        None,
        _("Tra cứu danh mục thủ tục của đơn vị."),
    ),
    (
        _("Hồ sơ"),
        "dossiers:worklist",
        {Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.MANAGER},
        _("Hồ sơ của tôi, sắp đến hạn, quá hạn, chờ bổ sung, chờ ký."),
    ),
    (
        _("Quầy giao dịch"),
        "queueing:console_index",
        {Role.COUNTER_OFFICER},
        _("Mở quầy, gọi số, phục vụ công dân."),
    ),
    (
        _("Đánh giá tại quầy"),
        "feedback:tablet_index",
        {Role.COUNTER_OFFICER},
        _("Màn hình cho công dân đánh giá sau khi được phục vụ."),
    ),
    (
        _("Phản ánh, kiến nghị"),
        "petitions:staff_list",
        {Role.SPECIALIST, Role.LEADER, Role.MANAGER},
        _("Phản ánh của người dân: giao xử lý, trả lời, công khai, quá hạn."),
    ),
    (
        _("Chỉ số phục vụ"),
        "service_index:home",
        {Role.COUNTER_OFFICER, Role.SPECIALIST, Role.LEADER, Role.MANAGER},
        _("Điểm, xếp hạng, diễn biến 12 tháng; hồ sơ làm mất điểm và việc nên làm để tăng điểm."),
    ),
    (
        _("Thống kê hàng đợi"),
        "queue_statistics:page",
        {Role.COUNTER_OFFICER, Role.LEADER, Role.MANAGER},
        _("Thời gian chờ, thời gian phục vụ, vắng mặt, mức độ hài lòng."),
    ),
    (
        _("Nộp hồ sơ trực tuyến"),
        "reports:online_filing",
        {Role.LEADER, Role.MANAGER, Role.ADMINISTRATOR},
        _("Thời gian từ đăng nhập đến nộp, số trường công dân phải gõ, theo thủ tục."),
    ),
    (
        _("Thanh toán trực tuyến"),
        "payments:figures",
        {Role.LEADER, Role.MANAGER},
        _("Tỷ lệ giao dịch, thủ tục, hồ sơ thanh toán trực tuyến; xuất Excel."),
    ),
    (
        _("Đối soát thu phí"),
        "payments:reconciliation",
        {Role.LEADER, Role.MANAGER},
        _("Nhập sao kê ngân hàng, tệp đối soát của nền tảng; xử lý chênh lệch."),
    ),
    (
        _("Số hóa hồ sơ"),
        "dossiers:defects",
        {Role.LEADER, Role.MANAGER, Role.COUNTER_OFFICER},
        _("Chỉ số số hóa và hồ sơ có lỗi số hóa cần khắc phục."),
    ),
    (
        _("Hỗ trợ nộp trực tuyến"),
        "assist:home",
        {Role.COUNTER_OFFICER, Role.DIGITAL_TEAM},
        _("Giúp công dân tại Trung tâm nộp hồ sơ trực tuyến thay cho hồ sơ giấy."),
    ),
    (
        _("Một cửa: tiếp nhận, trả kết quả"),
        "dossiers:counter_reception",
        {Role.COUNTER_OFFICER, Role.MANAGER},
        _("Tiếp nhận hồ sơ, trả kết quả, in giấy tờ và sổ theo dõi."),
    ),
    (
        _("Chứng thực bản sao"),
        "certification:book",
        {Role.LEADER, Role.MANAGER, Role.COUNTER_OFFICER, Role.ADMINISTRATOR},
        _("Chứng thực bản sao điện tử từ bản chính, sổ chứng thực."),
    ),
    (
        _("Sổ quỹ tiền mặt"),
        "payments:cashbook",
        {Role.COUNTER_OFFICER, Role.MANAGER},
        _("Tiền mặt, thẻ thu tại quầy theo cán bộ và ngày; quản lý khóa sổ."),
    ),
    (
        _("Công nghệ số cộng đồng"),
        "outreach:dashboard",
        {Role.DIGITAL_TEAM, Role.MANAGER, Role.LEADER},
        _("Cài đặt ứng dụng đặt hẹn theo thôn: ghi nhận, tiến độ, xuất báo cáo."),
    ),
    (
        _("Kiểm tra công khai"),
        "catalog:publicity_check",
        {Role.MANAGER, Role.ADMINISTRATOR, Role.LEADER},
        _("Thủ tục nào chưa công khai đủ thông tin."),
    ),
    (
        _("Nhập/xuất danh mục"),
        "catalog:import",
        {Role.ADMINISTRATOR},
        _("Nhập danh mục thủ tục từ tệp Excel, xuất danh mục."),
    ),
    (
        _("Cán bộ"),
        "accounts:staff_list",
        {Role.MANAGER, Role.ADMINISTRATOR, Role.LEADER},
        _("Danh sách cán bộ, vai trò và phòng ban."),
    ),
    (
        _("Nhật ký thao tác"),
        "accounts:audit_list",
        {Role.MANAGER, Role.ADMINISTRATOR},
        _("Ai đã làm gì, khi nào, tại đơn vị bạn quản lý."),
    ),
    (
        _("Tra cứu dân cư"),
        "registry:lookup_log",
        {Role.MANAGER, Role.ADMINISTRATOR},
        _("Ai đã tra cứu CSDL quốc gia về dân cư, tra cứu ai, để làm gì."),
    ),
    (
        _("Thông báo gửi lỗi"),
        "integrations:failed_list",
        {Role.MANAGER, Role.ADMINISTRATOR},
        _("Tin nhắn, thư, thông báo đẩy chưa đến được công dân; gửi lại."),
    ),
    (
        _("Đồng bộ Cổng DVCQG"),
        "portalsync:coverage",
        {Role.LEADER, Role.MANAGER, Role.ADMINISTRATOR},
        _("Tỷ lệ hồ sơ đã đồng bộ lên Cổng Dịch vụ công quốc gia, độ trễ, tin nhắn lỗi."),
    ),
]


def staff_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {}
    from .scoping import roles_of

    roles = roles_of(user)
    items = []
    for label, url_name, allowed, description in STAFF_MENU:
        if allowed is not None and not (roles & {r.value for r in allowed}):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        is_home = url_name == "accounts:home"
        active = request.path == url if is_home else request.path.startswith(url)
        items.append(
            {
                "label": label,
                "url": url,
                "name": url_name,
                "description": description,
                "active": active and url != "/",
            }
        )
    return {"staff_menu": items, "staff_roles": roles}
