from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat


@lru_cache(maxsize=1)
def _permission_names_sql() -> str:
    """The "app_label.codename" of each permission of the user row being read, direct or through a group.

    Written out once: the same query through the ORM (ArraySubquery, Concat,
    Q(...) | Q(...)) cost more to compile on every request than to run.
    """
    user_model = get_user_model()
    user_permissions = user_model.user_permissions.through._meta.db_table
    user_groups = user_model.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    return (
        "ARRAY(SELECT DISTINCT ct.app_label || '.' || p.codename"  # noqa: S608 (model table names)
        f" FROM {Permission._meta.db_table} p JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id"
        f" WHERE p.id IN (SELECT up.permission_id FROM {user_permissions} up"
        f" WHERE up.user_id = {user_model._meta.db_table}.id"
        f" UNION ALL SELECT gp.permission_id FROM {group_permissions} gp JOIN {user_groups} ug"
        f" ON ug.group_id = gp.group_id WHERE ug.user_id = {user_model._meta.db_table}.id))"
    )


def _permission_names() -> RawSQL:
    return RawSQL(_permission_names_sql(), ())  # noqa: S611 (no input)


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
            user = user_model._default_manager.annotate(permission_names=_permission_names()).get(pk=user_id)
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
                perms = (
                    type(user_obj)
                    ._default_manager.filter(pk=user_obj.pk)
                    .values_list(_permission_names(), flat=True)
                    .get()
                )
            user_obj._perm_cache = set(perms)
        return user_obj._perm_cache
