from django.urls import path

from cmrnet.live import views

urlpatterns = [
    path("", views.home, name="live-home"),
    path("sessions/new/", views.session_new, name="live-session-new"),
    path("sessions/<int:pk>/", views.session_detail, name="live-session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="live-session-edit"),
    path("sessions/<int:pk>/invite.ics", views.session_ics, name="live-session-ics"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="live-session-cancel"),
    path("sessions/<int:pk>/invite/", views.session_invite, name="live-session-invite"),
    path("sessions/<int:pk>/respond/", views.session_respond, name="live-session-respond"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="live-participant-remove"),
    path("supervisions/<int:pk>/room/", views.supervision_room, name="live-supervision-room"),
    path("rooms/<int:pk>/", views.room, name="live-room"),
    path("rooms/<int:pk>/close/", views.room_close, name="live-room-close"),
    path("rooms/<int:pk>/control/", views.room_control, name="live-room-control"),
    path("rooms/<int:pk>/control/grant/", views.room_control_grant, name="live-room-control-grant"),
    path("rooms/<int:pk>/control/take-back/", views.room_control_take_back, name="live-room-control-take-back"),
    path("rooms/<int:pk>/console/", views.room_console, name="live-room-console"),
    path("training/", views.training_credit, name="live-training-credit"),
    path("help/", views.help_home, name="live-help-home"),
    path("help/<int:pk>/", views.help_detail, name="live-help"),
    path("help/<int:pk>/accept/", views.help_accept, name="live-help-accept"),
    path("help/<int:pk>/cancel/", views.help_cancel, name="live-help-cancel"),
    path("rota/", views.rota_page, name="live-rota"),
    path("rota/<int:pk>/remove/", views.rota_remove, name="live-rota-remove"),
]
