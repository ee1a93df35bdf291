"""What a Perform handler works with: the caller, its database session, the settings."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import Provider, User
from clearinghouse.accounts.sessions import Caller
from clearinghouse.config import Settings
from clearinghouse.errors import Forbidden, NotAuthenticated, NotFound


@dataclasses.dataclass
class Call:
    session: Session
    caller: Caller
    settings: Settings
    address: str | None = None

    def user(self) -> User:
        """The user the call acts for (the one an administrator acts as, or the caller)."""
        user_id = self.caller.effective_user_id
        if user_id is None:
            raise NotAuthenticated("log in first")
        return self.session.get(User, user_id)

    def provider(self, named: str | None = None) -> Provider:
        """The provider the call acts for: the caller's provider context, or, for an
        administrator, the one named (an administrator in a provider context may omit it)."""
        context = self.caller.provider_id
        if named and context and named != context and not self.caller.is_admin:
            raise Forbidden(f"this session acts for provider {context}, not {named}")
        provider_id = named or context
        if provider_id is None:
            if self.caller.is_admin:
                raise NotFound("name the provider (ProviderId) or call SetProviderContext first")
            raise Forbidden("call SetProviderContext first")
        provider = self.session.get(Provider, provider_id)
        if provider is None:
            raise NotFound(f"provider {provider_id} does not exist")
        return provider

    def find_user(self, username: str) -> User:
        user = self.session.scalar(
            select(User).where(func.lower(User.username) == username.lower())
        )
        if user is None:
            raise NotFound(f"user {username} does not exist")
        return user
