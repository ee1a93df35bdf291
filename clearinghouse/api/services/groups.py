"""GroupManagementService: groups of users, and the rules that grant them (or guests, or every
registered user) read or order access to a partner's collections (``catalog.access``).

A user acting for a provider manages that provider's groups and rules; an administrator manages
all, and groups an administrator creates outside a provider context belong to no provider.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select

from clearinghouse.accounts.models import AccessRule, Grantee, Group, Permission
from clearinghouse.api.call import Call
from clearinghouse.api.messages import E, Fields
from clearinghouse.api.registry import REGISTRY, Who
from clearinghouse.catalog.models import Collection
from clearinghouse.errors import Conflict, Forbidden, NotFound

SERVICE = "GroupManagementService"
transaction = REGISTRY.transaction


def _group(call: Call, name: str, *, manage: bool) -> Group:
    group = call.session.scalar(select(Group).where(Group.name == name))
    if group is None:
        raise NotFound(f"group {name} does not exist")
    if manage and not _manages(call, group):
        raise Forbidden(f"group {name} is not managed by this session")
    return group


def _manages(call: Call, group: Group) -> bool:
    if call.caller.is_admin:
        return True
    return (
        group.owner_provider_id is not None and group.owner_provider_id == call.caller.provider_id
    )


@transaction(SERVICE, "CreateGroupRequest", who=Who.PROVIDER)
def create_group(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    name = fields.required("GroupName", max_length=200)
    if call.session.scalar(select(Group.id).where(Group.name == name)) is not None:
        raise Conflict(f"group {name} already exists")
    group = Group(
        name=name,
        description=fields.text("Description", max_length=4000),
        owner_provider_id=call.caller.provider_id,
    )
    call.session.add(group)
    return E.CreateGroupResponse(E.GroupName(name))


@transaction(SERVICE, "DeleteGroupRequest", who=Who.PROVIDER)
def delete_group(call: Call, request: etree._Element) -> etree._Element:
    group = _group(call, Fields(request).required("GroupName"), manage=True)
    rules = call.session.scalars(select(AccessRule.id).where(AccessRule.group_id == group.id)).all()
    if rules:
        # Deleting the rules with the group could leave a collection with no rule: public.
        named = ", ".join(map(str, rules))
        raise Conflict(f"group {group.name} is named by access rules {named}: revoke them first")
    call.session.delete(group)
    return E.DeleteGroupResponse()


def _group_and_users(call: Call, request: etree._Element):
    fields = Fields(request)
    group = _group(call, fields.required("GroupName"), manage=True)
    return group, [call.find_user(name) for name in dict.fromkeys(fields.texts("UserName"))]


@transaction(SERVICE, "AddGroupMembersRequest", who=Who.PROVIDER)
def add_members(call: Call, request: etree._Element) -> etree._Element:
    group, users = _group_and_users(call, request)
    group.members.extend(user for user in users if user not in group.members)
    return E.AddGroupMembersResponse()


@transaction(SERVICE, "RemoveGroupMembersRequest", who=Who.PROVIDER)
def remove_members(call: Call, request: etree._Element) -> etree._Element:
    group, users = _group_and_users(call, request)
    for user in users:
        if user not in group.members:
            raise NotFound(f"user {user.username} is not a member of group {group.name}")
        group.members.remove(user)
    return E.RemoveGroupMembersResponse()


@transaction(SERVICE, "GetGroupsRequest")
def get_groups(call: Call, request: etree._Element) -> etree._Element:
    """Administrators see every group, partners their own, users the groups they belong to."""
    name = Fields(request).text("GroupName")
    query = select(Group).order_by(Group.name)
    if name is not None:
        query = query.where(Group.name == name)
    caller = call.caller
    if not caller.is_admin:
        member = Group.members.any(id=caller.effective_user_id)
        if caller.provider_id is not None:
            member = member | (Group.owner_provider_id == caller.provider_id)
        query = query.where(member)
    groups = call.session.scalars(query).all()
    if name is not None and not groups:
        raise NotFound(f"group {name} does not exist or is not visible to this session")
    return E.GetGroupsResponse(
        *(
            E.Group(
                E.GroupName(group.name),
                E.Description(group.description or ""),
                *([E.ProviderId(group.owner_provider_id)] if group.owner_provider_id else []),
                E.Members(*(E.UserName(u.username) for u in _members(call, group))),
            )
            for group in groups
        )
    )


def _members(call: Call, group: Group):
    if _manages(call, group):
        return sorted(group.members, key=lambda u: u.username.lower())
    return []  # a member sees the group, not who else is in it


@transaction(SERVICE, "GrantAccessRequest", who=Who.PROVIDER)
def grant_access(call: Call, request: etree._Element) -> etree._Element:
    fields = Fields(request)
    provider = call.provider(fields.text("ProviderId"))
    collection = _collection(call, provider.provider_id, fields.child("Collection"))
    permission = Permission[fields.choice("Permission", [p.name for p in Permission])]
    grantee = fields.child("Grantee")
    rule = AccessRule(
        provider_id=provider.provider_id,
        collection_id=collection.id if collection else None,
        permission=permission,
    )
    if grantee.has("Guests"):
        rule.grantee = Grantee.GUEST
    elif grantee.has("RegisteredUsers"):
        rule.grantee = Grantee.REGISTERED
    else:
        group = _group(call, grantee.required("GroupName"), manage=False)
        if group.owner_provider_id not in (None, provider.provider_id):
            raise Forbidden(f"group {group.name} belongs to provider {group.owner_provider_id}")
        rule.grantee = Grantee.GROUP
        rule.group_id = group.id
    call.session.add(rule)
    call.session.flush()
    return E.GrantAccessResponse(E.AccessRuleId(str(rule.id)))


def _collection(call: Call, provider_id: str, fields: Fields | None) -> Collection | None:
    if fields is None:
        return None
    query = select(Collection).where(
        Collection.provider_id == provider_id, Collection.deleted_at.is_(None)
    )
    dataset_id = fields.text("DataSetId", max_length=1030)
    if dataset_id is not None:
        query = query.where(Collection.dataset_id == dataset_id)
        named = f"DataSetId {dataset_id!r}"
    else:
        short_name, version = fields.required("ShortName"), fields.required("VersionId")
        query = query.where(Collection.short_name == short_name, Collection.version_id == version)
        named = f"ShortName {short_name!r} VersionId {version!r}"
    collection = call.session.scalar(query)
    if collection is None:
        raise NotFound(f"provider {provider_id} has no collection with {named}")
    return collection


@transaction(SERVICE, "RevokeAccessRequest", who=Who.PROVIDER)
def revoke_access(call: Call, request: etree._Element) -> etree._Element:
    rule_id = Fields(request).integer("AccessRuleId", minimum=1, maximum=2**63 - 1)
    rule = call.session.get(AccessRule, rule_id)
    if rule is None or not (call.caller.is_admin or rule.provider_id == call.caller.provider_id):
        raise NotFound(f"access rule {rule_id} does not exist")
    call.session.delete(rule)
    return E.RevokeAccessResponse()


@transaction(SERVICE, "GetAccessRulesRequest", who=Who.PROVIDER)
def get_access_rules(call: Call, request: etree._Element) -> etree._Element:
    provider = call.provider(Fields(request).text("ProviderId"))
    rows = call.session.execute(
        select(AccessRule, Collection.dataset_id, Group.name)
        .outerjoin(Collection, Collection.id == AccessRule.collection_id)
        .outerjoin(Group, Group.id == AccessRule.group_id)
        .where(AccessRule.provider_id == provider.provider_id)
        .order_by(AccessRule.id)
    ).all()
    return E.GetAccessRulesResponse(
        *(_rule_element(rule, dataset_id, group) for rule, dataset_id, group in rows)
    )


def _rule_element(rule: AccessRule, dataset_id: str | None, group: str | None) -> etree._Element:
    element = E.AccessRule(E.AccessRuleId(str(rule.id)), E.ProviderId(rule.provider_id))
    if dataset_id is not None:
        element.append(E.Collection(E.DataSetId(dataset_id)))
    element.append(E.Permission(rule.permission.name))
    grantee = {
        Grantee.GUEST: lambda: E.Guests(),
        Grantee.REGISTERED: lambda: E.RegisteredUsers(),
        Grantee.GROUP: lambda: E.GroupName(group),
    }[rule.grantee]()
    element.append(E.Grantee(grantee))
    return element
