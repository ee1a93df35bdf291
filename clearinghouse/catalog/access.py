"""Who may read and who may order a partner's collections (and so their granules).

Rules grant a permission (read or order) on a provider's collections, all of them or one, to guests
(everyone), to registered users, or to a group. For a collection, the most specific rules decide:
its own rules if it has any, else its provider's rules for all collections, else the default:
readable by everyone, orderable by registered users. A rule therefore restricts as well as grants:
once a collection has rules, only they grant the permission.

Administrators see and order everything, and so does a user acting for the collection's provider;
an administrator acting as another user sees what that user sees.

The catalog filters every search through :func:`collection_condition`, one SQL condition.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, exists, false, literal, or_, select, true

from clearinghouse.accounts.models import AccessRule, Grantee, Permission, group_members
from clearinghouse.accounts.sessions import Caller
from clearinghouse.catalog.models import Collection


def _grants(caller: Caller) -> ColumnElement[bool]:
    """Whether a rule (AccessRule) grants its permission to the caller."""
    granted = [AccessRule.grantee == Grantee.GUEST]
    user_id = caller.effective_user_id
    if user_id is not None:
        granted.append(AccessRule.grantee == Grantee.REGISTERED)
        granted.append(
            AccessRule.group_id.in_(
                select(group_members.c.group_id).where(group_members.c.user_id == user_id)
            )
        )
    return or_(*granted)


def _rules(permission: Permission, *scope: ColumnElement[bool]):
    return select(literal(1)).where(
        AccessRule.provider_id == Collection.provider_id,
        AccessRule.permission == permission,
        *scope,
    )


def collection_condition(caller: Caller, permission: Permission) -> ColumnElement[bool]:
    """A condition on ``collections`` true for the collections the caller has ``permission`` on."""
    if caller.is_admin and caller.acting_user_id is None:
        return true()
    own = _rules(permission, AccessRule.collection_id == Collection.id)
    everything = _rules(permission, AccessRule.collection_id.is_(None))
    default = true() if permission is Permission.READ or caller.registered else false()
    decided = case(
        (exists(own), exists(own.where(_grants(caller)))),
        (exists(everything), exists(everything.where(_grants(caller)))),
        else_=default,
    )
    if caller.provider_id is not None and caller.acting_user_id is None:
        return or_(Collection.provider_id == caller.provider_id, decided)
    return decided


def readable(caller: Caller) -> ColumnElement[bool]:
    return collection_condition(caller, Permission.READ)


def orderable(caller: Caller) -> ColumnElement[bool]:
    return collection_condition(caller, Permission.ORDER)
