from django.urls import path

from . import display_views, views

app_name = "queueing"
urlpatterns = [
    path("hang-doi/kiosk/<str:unit_code>/", views.kiosk, name="kiosk"),
    # by the ticket's secret token: sequential ids would let anyone walk through all tickets
    path("hang-doi/ve/<str:token>/in/", views.ticket_print, name="ticket_print"),
    path("can-bo/quay/", views.console_index, name="console_index"),
    path("can-bo/quay/<int:pk>/", views.console, name="console"),
    path("can-bo/quay/<int:pk>/<slug:action>/", views.console_action, name="console_action"),
]

# hall display board (display_views.py)

urlpatterns += [
    path("hang-doi/man-hinh/<str:unit_code>/", display_views.board, name="display"),
    path("hang-doi/man-hinh/<str:unit_code>/su-kien/", display_views.events, name="display_events"),
    path(
        "hang-doi/man-hinh/<str:unit_code>/trang-thai.json",
        display_views.state,
        name="display_state",
    ),
    path("hang-doi/am-thanh/chuong.wav", display_views.chime, name="display_chime"),
    path(
        "hang-doi/am-thanh/<str:unit_code>/<str:name>.wav",
        display_views.audio,
        name="display_audio",
    ),
]

# appointment booking and kiosk check-in (booking_views.py)
from . import booking_views  # noqa: E402

urlpatterns += [
    path("hang-doi/dat-hen/<str:unit_code>/", booking_views.start, name="booking_start"),
    path("hang-doi/dat-hen/<str:unit_code>/dang-ky/", booking_views.book, name="booking_book"),
    path("hang-doi/dat-hen/<str:unit_code>/tra-cuu/", booking_views.lookup, name="booking_lookup"),
    path(
        "hang-doi/dat-hen/<str:unit_code>/lich/<str:code>/",
        booking_views.detail,
        name="booking_detail",
    ),
    path(
        "hang-doi/dat-hen/<str:unit_code>/lich/<str:code>/xac-nhan/",
        booking_views.held,
        name="booking_held",
    ),
    path(
        "hang-doi/dat-hen/<str:unit_code>/lich/<str:code>/doi-lich/",
        booking_views.manage,
        name="booking_manage",
    ),
    path(
        "hang-doi/kiosk/<str:unit_code>/dat-hen/",
        booking_views.check_in,
        name="booking_check_in",
    ),
]

# the citizen app (PWA, citizen_views.py); the unit's home comes last: its one-segment pattern
# would otherwise take "sw.js" or "ngoai-tuyen" for a unit code
from . import citizen_views  # noqa: E402

urlpatterns += [
    path("hang-doi/sw.js", citizen_views.service_worker, name="citizen_sw"),
    path("hang-doi/ngoai-tuyen/", citizen_views.offline, name="citizen_offline"),
    path("hang-doi/ve/<str:token>/", citizen_views.ticket, name="citizen_ticket"),
    path(
        "hang-doi/ve/<str:token>/trang-thai.json",
        citizen_views.ticket_state_json,
        name="citizen_ticket_state",
    ),
    path("hang-doi/ve/<str:token>/huy/", citizen_views.cancel, name="citizen_cancel"),
    path(
        "hang-doi/<str:unit_code>/manifest.webmanifest",
        citizen_views.manifest,
        name="citizen_manifest",
    ),
    path("hang-doi/<str:unit_code>/", citizen_views.home, name="citizen_home"),
]
