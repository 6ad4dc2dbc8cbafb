from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q, Value
from django.db.models.functions import Concat


def _permission_names(user_ref):
    """The "app_label.codename" of every permission ``user_ref`` has, directly or through a group."""
    return (
        Permission.objects.filter(Q(user=user_ref) | Q(group__user=user_ref))
        .order_by()
        .values_list(Concat(F("content_type__app_label"), Value("."), F("codename")), flat=True)
        .distinct()
    )


class SingleQueryModelBackend(ModelBackend):
    """Django's ModelBackend, loading a user and their permissions in one query.

    Every page checks a permission; the stock backend spends three queries on
    the user of a request (the user, their permissions, their groups'
    permissions). Here the session's user arrives with their permission names,
    cached on the user object for the request, exactly where the stock backend
    caches them.
    """

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.annotate(
                permission_names=ArraySubquery(_permission_names(OuterRef("pk")))
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser's checks never read the cache
            user._perm_cache = set(user.permission_names)
        del user.permission_names
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.values_list(
                    Concat(F("content_type__app_label"), Value("."), F("codename")), flat=True
                )
            else:
                perms = _permission_names(user_obj.pk)
            user_obj._perm_cache = set(perms)
        return user_obj._perm_cache
