"""Talking to the ECHO message interface in tests: session functions, Perform, and reading
answers and errors."""

from __future__ import annotations

from lxml import etree

from clearinghouse.accounts.services import add_provider, add_user

PASSWORD = "correct horse battery"


def answer(response, status: int = 200) -> etree._Element:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/xml"
    return etree.fromstring(response.data)


def error(response, status: int, code: str) -> dict[str, str]:
    """An error's fields; the search API's (CMR's shape, messages alone) as its ``Message``, the
    code then checked as far as the shape shows it: by its status."""
    if response.mimetype == "application/json":
        assert response.status_code == status, response.data
        (message,) = response.get_json()["errors"]
        return {"Message": message, **_status_of(code, status)}
    root = answer(response, status)
    if root.tag == "errors":
        (message,) = [e.text for e in root.iterfind("error")]
        return {"Message": message, **_status_of(code, status)}
    assert root.tag == "Error"
    fields = {child.tag: child.text for child in root}
    assert fields["Code"] == code, fields
    return fields


def _status_of(code: str, status: int) -> dict[str, str]:
    from clearinghouse import errors

    named = [c for c in vars(errors).values() if getattr(c, "code", None) == code]
    assert named and named[0].status == status, (code, status)
    return {}


def login(client, username: str, password: str = PASSWORD, client_id: str = "tests") -> str:
    body = (
        f"<Login><UserName>{username}</UserName><Password>{password}</Password>"
        f"<ClientId>{client_id}</ClientId></Login>"
    )
    return answer(client.post("/echo/login", data=body)).findtext("Token")


def post(client, function: str, token: str | None, body: str = ""):
    headers = {"Echo-Token": token} if token else {}
    return client.post(f"/echo/{function}", data=body, headers=headers)


def perform(client, token: str | None, service: str, request: str):
    return post(client, "perform", token, f"<{service}>{request}</{service}>")


def performed(client, token: str | None, service: str, request: str) -> etree._Element:
    """The transaction's response element, the call having succeeded."""
    root = answer(perform(client, token, service, request))
    assert root.tag == service
    return root[0]


def user(session, name: str, **options) -> str:
    add_user(session, name, password=PASSWORD, email=f"{name}@example.org", **options)
    session.commit()
    return name


def provider(session, provider_id: str) -> str:
    add_provider(
        session,
        provider_id,
        email=f"ops@{provider_id.lower()}.example.org",
        ftp_password="ftp password 1",
    )
    session.commit()
    return provider_id


def act_for(client, token: str, provider_id: str):
    """SetProviderContext, refused or not: the response."""
    body = f"<SetProviderContext><ProviderId>{provider_id}</ProviderId></SetProviderContext>"
    return post(client, "provider-context", token, body)


def share_with_group(client, token: str, dataset: str, group: str, member: str) -> None:
    """A partner's collection readable by one group only: the group made, the member added, READ
    granted to it (which restricts the collection to its grantees)."""
    for request in (
        f"<CreateGroupRequest><GroupName>{group}</GroupName></CreateGroupRequest>",
        f"<AddGroupMembersRequest><GroupName>{group}</GroupName><UserName>{member}</UserName>"
        "</AddGroupMembersRequest>",
        f"<GrantAccessRequest><Collection><DataSetId>{dataset}</DataSetId></Collection>"
        f"<Permission>READ</Permission><Grantee><GroupName>{group}</GroupName></Grantee>"
        "</GrantAccessRequest>",
    ):
        performed(client, token, "GroupManagementService", request)
