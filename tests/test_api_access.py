"""Groups and access rules: managed through GroupManagementService, applied by the one SQL
condition the catalog filters every search with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clearinghouse.accounts.sessions import GUEST, resolve
from clearinghouse.catalog import access
from clearinghouse.catalog.models import Collection
from ingest.pipeline import ingest_file
from tests.api_support import act_for, error, login, perform, performed, post, provider, user
from tests.ingest_support import collection, wrap, write

GROUPS = "GroupManagementService"


@pytest.fixture
def catalog(db, session, tmp_path):
    """ORNL holds DS 1, DS 2 and DS 3; LPDAAC holds DS 9. Its partner user acts for ORNL."""
    provider(session, "ORNL")
    provider(session, "LPDAAC")
    for provider_id, records in (
        (
            "ORNL",
            [
                collection("C1", dataset="DS 1"),
                collection("C2", dataset="DS 2"),
                collection("C3", dataset="DS 3"),
            ],
        ),
        ("LPDAAC", [collection("C9", dataset="DS 9")]),
    ):
        path = write(
            tmp_path, f"{provider_id}.xml", wrap("CollectionMetaDataFile", {"Collections": records})
        )
        assert ingest_file(db, path, provider_id).inserted == len(records)
    user(session, "partner", providers=["ORNL"])
    user(session, "member")
    user(session, "outsider")
    user(session, "root", admin=True)
    return db


def _partner(client):
    token = login(client, "partner")
    act_for(client, token, "ORNL")
    return token


def _visible(session, token, permission=access.readable) -> set[str]:
    caller = GUEST if token is None else resolve(session, token, 3600)
    return set(session.scalars(select(Collection.dataset_id).where(permission(caller))))


def _grant(client, token, collection_xml, permission, grantee):
    return performed(
        client,
        token,
        GROUPS,
        f"<GrantAccessRequest>{collection_xml}<Permission>{permission}</Permission>"
        f"<Grantee>{grantee}</Grantee></GrantAccessRequest>",
    )


def test_by_default_everyone_reads_and_registered_users_order(client, session, catalog):
    everything = {"DS 1", "DS 2", "DS 3", "DS 9"}
    assert _visible(session, None) == everything
    assert _visible(session, None, access.orderable) == set()
    member = login(client, "member")
    assert _visible(session, member) == everything
    assert _visible(session, member, access.orderable) == everything


def test_a_group_restricted_collection_is_seen_by_its_group_only(client, session, catalog):
    partner = _partner(client)
    performed(
        client,
        partner,
        GROUPS,
        "<CreateGroupRequest><GroupName>ORNL science team</GroupName>"
        "<Description>early access</Description></CreateGroupRequest>",
    )
    performed(
        client,
        partner,
        GROUPS,
        "<AddGroupMembersRequest><GroupName>ORNL science team</GroupName>"
        "<UserName>member</UserName></AddGroupMembersRequest>",
    )
    rule = _grant(
        client,
        partner,
        "<Collection><DataSetId>DS 2</DataSetId></Collection>",
        "READ",
        "<GroupName>ORNL science team</GroupName>",
    )
    assert int(rule.findtext("AccessRuleId")) > 0

    others = {"DS 1", "DS 3", "DS 9"}
    assert _visible(session, None) == others  # guests
    assert _visible(session, login(client, "outsider")) == others
    assert _visible(session, login(client, "member")) == others | {"DS 2"}
    assert _visible(session, login(client, "root")) == others | {"DS 2"}  # administrators
    assert _visible(session, partner) == others | {"DS 2"}  # the provider itself
    # Ordering is a separate permission: still the default.
    assert "DS 2" in _visible(session, login(client, "outsider"), access.orderable)

    # An administrator acting as the outsider sees what the outsider sees.
    admin = login(client, "root")
    post(
        client,
        "user-context",
        admin,
        "<SetUserContext><UserName>outsider</UserName></SetUserContext>",
    )
    assert _visible(session, admin) == others

    # Revoked, the collection falls back to the default.
    performed(
        client,
        partner,
        GROUPS,
        f"<RevokeAccessRequest><AccessRuleId>{rule.findtext('AccessRuleId')}</AccessRuleId>"
        "</RevokeAccessRequest>",
    )
    assert _visible(session, None) == others | {"DS 2"}


def test_provider_wide_rules_and_the_most_specific_rule_wins(client, session, catalog):
    partner = _partner(client)
    _grant(client, partner, "", "READ", "<RegisteredUsers/>")
    _grant(
        client,
        partner,
        "<Collection><ShortName>C3</ShortName><VersionId>1</VersionId></Collection>",
        "READ",
        "<Guests/>",
    )
    _grant(client, partner, "", "ORDER", "<Guests/>")
    assert _visible(session, None) == {"DS 3", "DS 9"}
    assert _visible(session, login(client, "outsider")) == {"DS 1", "DS 2", "DS 3", "DS 9"}
    assert _visible(session, None, access.orderable) == {"DS 1", "DS 2", "DS 3"}

    rules = performed(client, partner, GROUPS, "<GetAccessRulesRequest/>")
    assert [r.findtext("Permission") for r in rules] == ["READ", "READ", "ORDER"]
    assert rules[1].findtext("Collection/DataSetId") == "DS 3"
    assert rules[0].find("Grantee/RegisteredUsers") is not None


def test_partners_manage_only_their_own(client, session, catalog):
    partner = _partner(client)
    # Another provider's collection is not found among ORNL's.
    error(
        perform(
            client,
            partner,
            GROUPS,
            "<GrantAccessRequest><Collection><DataSetId>DS 9</DataSetId></Collection>"
            "<Permission>READ</Permission><Grantee><Guests/></Grantee>"
            "</GrantAccessRequest>",
        ),
        404,
        "NotFound",
    )
    error(
        perform(
            client,
            partner,
            GROUPS,
            "<GrantAccessRequest><ProviderId>LPDAAC</ProviderId><Permission>READ"
            "</Permission><Grantee><Guests/></Grantee></GrantAccessRequest>",
        ),
        403,
        "Forbidden",
    )
    # A plain user manages nothing.
    outsider = login(client, "outsider")
    error(
        perform(
            client,
            outsider,
            GROUPS,
            "<CreateGroupRequest><GroupName>mine</GroupName></CreateGroupRequest>",
        ),
        403,
        "Forbidden",
    )
    # An administrator's group (no provider) is not the partner's to change.
    admin = login(client, "root")
    performed(
        client,
        admin,
        GROUPS,
        "<CreateGroupRequest><GroupName>staff</GroupName></CreateGroupRequest>",
    )
    error(
        perform(
            client,
            partner,
            GROUPS,
            "<AddGroupMembersRequest><GroupName>staff</GroupName>"
            "<UserName>outsider</UserName></AddGroupMembersRequest>",
        ),
        403,
        "Forbidden",
    )
    error(
        perform(
            client,
            partner,
            GROUPS,
            "<GrantAccessRequest><Permission>WRITE</Permission>"
            "<Grantee><Guests/></Grantee></GrantAccessRequest>",
        ),
        400,
        "InvalidValue",
    )


def test_groups_as_their_members_and_owners_see_them(client, session, catalog):
    partner = _partner(client)
    performed(
        client,
        partner,
        GROUPS,
        "<CreateGroupRequest><GroupName>team</GroupName></CreateGroupRequest>",
    )
    error(
        perform(
            client,
            partner,
            GROUPS,
            "<CreateGroupRequest><GroupName>team</GroupName></CreateGroupRequest>",
        ),
        409,
        "Conflict",
    )
    performed(
        client,
        partner,
        GROUPS,
        "<AddGroupMembersRequest><GroupName>team</GroupName><UserName>member</UserName>"
        "<UserName>outsider</UserName></AddGroupMembersRequest>",
    )
    owned = performed(client, partner, GROUPS, "<GetGroupsRequest/>")
    assert [u.text for u in owned.iterfind("Group/Members/UserName")] == ["member", "outsider"]
    assert owned.findtext("Group/ProviderId") == "ORNL"
    # A member sees the group, not its other members.
    seen = performed(client, login(client, "member"), GROUPS, "<GetGroupsRequest/>")
    assert seen.findtext("Group/GroupName") == "team"
    assert seen.find("Group/Members/UserName") is None
    performed(
        client,
        partner,
        GROUPS,
        "<RemoveGroupMembersRequest><GroupName>team</GroupName><UserName>outsider</UserName>"
        "</RemoveGroupMembersRequest>",
    )
    assert (
        performed(client, login(client, "outsider"), GROUPS, "<GetGroupsRequest/>").find("Group")
        is None
    )
    # A group that rules name cannot go: deleting it would open what it restricts.
    rule = _grant(
        client,
        partner,
        "<Collection><DataSetId>DS 1</DataSetId></Collection>",
        "READ",
        "<GroupName>team</GroupName>",
    )
    fields = error(
        perform(
            client,
            partner,
            GROUPS,
            "<DeleteGroupRequest><GroupName>team</GroupName></DeleteGroupRequest>",
        ),
        409,
        "Conflict",
    )
    assert rule.findtext("AccessRuleId") in fields["Message"]
    assert "DS 1" not in _visible(session, None)
