"""RegistrationService (a guest becomes a user) and UserAccountService (a user's own account)."""

from __future__ import annotations

from clearinghouse_client.errors import InvalidValue
from clearinghouse_client.services.base import Service, required
from clearinghouse_client.values import Address, Phone, User
from clearinghouse_client.xml import E, child, optional, text


def check_user(path: str, user: User, password: str | None) -> None:
    """What a new user must have, refused as the server words it."""
    required(f"{path}/UserName", user.username)
    if password is not None and not password:
        raise_empty(f"{path}/Password")
    for tag, value in (
        ("FirstName", user.first_name),
        ("LastName", user.last_name),
        ("EmailAddress", user.email),
    ):
        required(f"{path}/UserInformation/{tag}", value)


def raise_empty(path: str):
    """A field sent empty, refused as the server words it."""
    raise InvalidValue(f"{path}: must not be empty")


class RegistrationService(Service):
    """Registering a new user (seed slides 102–105); open to guests."""

    name = "RegistrationService"

    def create_user(self, user: User, password: str) -> str:
        """Register ``user`` (user name, first and last name and e-mail required; addresses and
        phones optional) with ``password``; the user name the server registered."""
        check_user("CreateUserRequest", user, password)
        answer = self._perform(
            E.CreateUserRequest(
                E.UserName(user.username), E.Password(password), user.information_xml()
            )
        )
        return text(answer, "UserName")


class AccountService(Service):
    """The logged-in user's own account (or, for an administrator in a user context, that
    user's): information, addresses, phones, password."""

    name = "UserAccountService"

    def get(self) -> User:
        """The user's information, addresses and phones."""
        return User.from_xml(child(self._perform(E.GetUserInformationRequest()), "User"))

    def update(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
    ) -> None:
        """Change the names or e-mail given (the others stay)."""
        self._perform(
            E.UpdateUserInformationRequest(
                *optional("FirstName", first_name),
                *optional("LastName", last_name),
                *optional("EmailAddress", email),
            )
        )

    def add_address(self, address: Address) -> str:
        """Add an address; its id, by which orders name it."""
        required("AddAddressRequest/AddressInformation/AddressId", address.id)
        return text(self._perform(E.AddAddressRequest(address.to_xml())), "AddressId")

    def update_address(self, address: Address) -> None:
        """Replace the address of the same id."""
        required("UpdateAddressRequest/AddressInformation/AddressId", address.id)
        self._perform(E.UpdateAddressRequest(address.to_xml()))

    def remove_address(self, address_id: str) -> None:
        """Remove the address of this id."""
        self._perform(E.RemoveAddressRequest(E.AddressId(address_id)))

    def add_phone(self, phone: Phone) -> None:
        """Add a phone number."""
        required("AddPhoneRequest/PhoneInformation/Number", phone.number)
        self._perform(E.AddPhoneRequest(phone.to_xml()))

    def remove_phone(self, number: str) -> None:
        """Remove a phone number."""
        self._perform(E.RemovePhoneRequest(E.Number(number)))

    def change_password(self, new: str, old: str | None = None) -> None:
        """Change the password; ``old`` may be left out only by an administrator acting as the
        user. The user's other sessions end."""
        if not new:
            raise_empty("ChangePasswordRequest/NewPassword")
        self._perform(E.ChangePasswordRequest(*optional("OldPassword", old), E.NewPassword(new)))
