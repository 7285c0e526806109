from highharm.audit.models import AccessLog


def access_log_list(
    *, object_type: str = "", object_id: str = "", username: str = "", action: str = ""
):
    qs = AccessLog.objects.all().order_by("-id")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if username:
        qs = qs.filter(username=username)
    if action:
        qs = qs.filter(action=action)
    return qs
