def unread_notifications(request):
    """The unread count shown beside "Notifications" in the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from cmrnet.notifications.selectors import unread_count

    return {"unread_notifications": unread_count(user)}
