from django.urls import path

from cmrnet.live import consumers

websocket_urlpatterns = [
    path("ws/live/rooms/<int:room_id>/", consumers.RoomConsumer.as_asgi()),
    path("ws/live/vnc/<int:grant_id>/", consumers.VncRelayConsumer.as_asgi()),
    path("ws/live/notify/", consumers.NotificationConsumer.as_asgi()),
]
