"""GroupManagementService (groups and access rules) and AdministrationService (providers and
users, for administrators)."""

from __future__ import annotations

from clearinghouse_client.services.accounts import check_user
from clearinghouse_client.services.base import Service, required
from clearinghouse_client.values import (
    GUESTS,
    REGISTERED_USERS,
    AccessRule,
    Group,
    OrderPolicy,
    ProviderProfile,
    User,
)
from clearinghouse_client.xml import E, child, optional, text


class GroupService(Service):
    """Groups of users and the rules granting READ or ORDER on a partner's collections. A user
    acting for a provider manages that provider's; an administrator all."""

    name = "GroupManagementService"

    def create(self, name: str, description: str | None = None) -> str:
        """A new group; its name."""
        required("CreateGroupRequest/GroupName", name)
        answer = self._perform(
            E.CreateGroupRequest(E.GroupName(name), *optional("Description", description))
        )
        return text(answer, "GroupName")

    def delete(self, name: str) -> None:
        """Delete a group no access rule names."""
        self._perform(E.DeleteGroupRequest(E.GroupName(name)))

    def add_members(self, name: str, *usernames: str) -> None:
        """Add users to a group."""
        self._perform(E.AddGroupMembersRequest(E.GroupName(name), *map(E.UserName, usernames)))

    def remove_members(self, name: str, *usernames: str) -> None:
        """Remove users from a group."""
        self._perform(E.RemoveGroupMembersRequest(E.GroupName(name), *map(E.UserName, usernames)))

    def list(self, name: str | None = None) -> list[Group]:
        """The groups this session sees (administrators: all; partners: their own; users: those
        they belong to), or the one named."""
        answer = self._perform(E.GetGroupsRequest(*optional("GroupName", name)))
        return [Group.from_xml(g) for g in answer.iterfind("Group")]

    def grant(
        self,
        permission: str,
        grantee: str,
        *,
        dataset_id: str | None = None,
        short_name: str | None = None,
        version_id: str | None = None,
        provider_id: str | None = None,
    ) -> int:
        """Grant READ or ORDER on one collection (by dataset id, or short name and version) or,
        when none is named, all the provider's, to ``grantee``: :data:`~values.GUESTS`,
        :data:`~values.REGISTERED_USERS` or a group's name. The new rule's id."""
        if dataset_id is not None:
            collection = [E.Collection(E.DataSetId(dataset_id))]
        elif short_name is not None or version_id is not None:
            required("GrantAccessRequest/Collection/ShortName", short_name)
            required("GrantAccessRequest/Collection/VersionId", version_id)
            collection = [E.Collection(E.ShortName(short_name), E.VersionId(version_id))]
        else:
            collection = []
        who = E(grantee) if grantee in (GUESTS, REGISTERED_USERS) else E.GroupName(grantee)
        answer = self._perform(
            E.GrantAccessRequest(
                *optional("ProviderId", provider_id),
                *collection,
                E.Permission(permission),
                E.Grantee(who),
            )
        )
        return int(text(answer, "AccessRuleId"))

    def revoke(self, rule_id: int) -> None:
        """Remove an access rule."""
        self._perform(E.RevokeAccessRequest(E.AccessRuleId(str(rule_id))))

    def rules(self, provider_id: str | None = None) -> list[AccessRule]:
        """The provider's access rules."""
        answer = self._perform(E.GetAccessRulesRequest(*optional("ProviderId", provider_id)))
        return [AccessRule.from_xml(r) for r in answer.iterfind("AccessRule")]


class AdministrationService(Service):
    """Providers and users, for administrators only."""

    name = "AdministrationService"

    def create_provider(
        self,
        provider_id: str,
        contact_email: str,
        ftp_password: str,
        *,
        name: str | None = None,
        policy: OrderPolicy | None = None,
    ) -> ProviderProfile:
        """A new provider with its FTP drop box password; its profile."""
        required("CreateProviderRequest/ProviderId", provider_id)
        required("CreateProviderRequest/ContactEmail", contact_email)
        answer = self._perform(
            E.CreateProviderRequest(
                E.ProviderId(provider_id),
                E.ContactEmail(contact_email),
                E.FtpPassword(ftp_password),
                *optional("Name", name),
                *([policy.to_xml()] if policy else []),
            )
        )
        return ProviderProfile.from_xml(child(answer, "ProviderProfile"))

    def update_provider(
        self,
        provider_id: str,
        *,
        name: str | None = None,
        contact_email: str | None = None,
        ftp_password: str | None = None,
        active: bool | None = None,
        ingest_paused: bool | None = None,
        policy: OrderPolicy | None = None,
    ) -> ProviderProfile:
        """Change what is given of a provider; its profile as it is now."""
        answer = self._perform(
            E.UpdateProviderRequest(
                E.ProviderId(provider_id),
                *optional("Name", name),
                *optional("ContactEmail", contact_email),
                *optional("FtpPassword", ftp_password),
                *optional("Active", active),
                *optional("IngestPaused", ingest_paused),
                *([policy.to_xml()] if policy else []),
            )
        )
        return ProviderProfile.from_xml(child(answer, "ProviderProfile"))

    def providers(self, *provider_ids: str) -> list[ProviderProfile]:
        """The providers named, or all."""
        answer = self._perform(E.GetProvidersRequest(*map(E.ProviderId, provider_ids)))
        return [ProviderProfile.from_xml(p) for p in answer.iterfind("ProviderProfile")]

    def create_user(
        self,
        user: User,
        password: str,
        *,
        administrator: bool = False,
        provider_roles: list[str] | None = None,
    ) -> User:
        """A new user, possibly an administrator or one that may act for providers."""
        check_user("CreateUserRequest", user, password)
        roles = (
            [] if provider_roles is None else [E.ProviderRoles(*map(E.ProviderId, provider_roles))]
        )
        answer = self._perform(
            E.CreateUserRequest(
                E.UserName(user.username),
                E.Password(password),
                user.information_xml(),
                *optional("Administrator", administrator),
                *roles,
            )
        )
        return User.from_xml(child(answer, "User"))

    def update_user(
        self,
        username: str,
        *,
        password: str | None = None,
        administrator: bool | None = None,
        active: bool | None = None,
        unlock: bool = False,
        provider_roles: list[str] | None = None,
    ) -> User:
        """Change a user: password, administrator or not, active or not, unlock after failed
        logins, the providers it may act for (replaced)."""
        roles = (
            [] if provider_roles is None else [E.ProviderRoles(*map(E.ProviderId, provider_roles))]
        )
        answer = self._perform(
            E.UpdateUserRequest(
                E.UserName(username),
                *optional("Password", password),
                *optional("Administrator", administrator),
                *optional("Active", active),
                *([E.Unlock()] if unlock else []),
                *roles,
            )
        )
        return User.from_xml(child(answer, "User"))

    def users(self, *usernames: str) -> list[User]:
        """The users named, or all."""
        answer = self._perform(E.GetUsersRequest(*map(E.UserName, usernames)))
        return [User.from_xml(u) for u in answer.iterfind("User")]
