"""User administration."""
from __future__ import annotations

from sqlalchemy import literal, select

from app.extensions import db
from app.models import Region, User
from app.models.user import ROLES
from app.services import audit, permissions
from app.services.errors import Conflict, Msg, ValidationFailed
from app.services.reference import region_by_code
from app.services.uow import unit_of_work


def _region(code: str | None):
    region = region_by_code(code) if code else None
    if region is None:
        raise ValidationFailed.field("region", Msg("Unknown region '%(code)s'.", code=code))
    return region


PASSWORD_MIN_LENGTH = 10
# Passwords too common to allow (compared without case), whatever their length: the usual
# leaked-password top entries and the obvious ones for this system.
COMMON_PASSWORDS = frozenset("""
1234567890 12345678910 0123456789 9876543210 1111111111 0000000000 1234512345 1q2w3e4r5t
1qaz2wsx3edc qwertyuiop qwerty1234 qwerty12345 1234qwer!@#$ password1! password12 password123
password@1 password#1 passw0rd12 p@ssw0rd12 p@ssword123 administrator admin12345 admin123456
admin@1234 admin@12345 admin#1234 abc1234567 abcd123456 a123456789 aa12345678 iloveyou12
welcome123 welcome@123 changeme123 letmein123 11111111111 123456789a 123456789abc zaq12wsxcde
woaini1314 woaini520! 5201314520 qq123456789 root123456 test123456 guest12345 sunshine12
szcz123456 szcz@12345 szcz@2026! czt123456! caizheng123 caizheng@123 shuzicaizheng
""".split())


def check_password_policy(password: str, username: str) -> None:
    """At least PASSWORD_MIN_LENGTH characters, not containing the username, not a common
    password; 422 naming `password` otherwise. Used by every way a password is set: user
    creation (admin page, API, CLI) and an administrator's password change."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationFailed.field("password", Msg("A password needs at least %(n)s characters.",
                                                     n=PASSWORD_MIN_LENGTH))
    if username and username.lower() in password.lower():
        raise ValidationFailed.field("password", Msg("The password must not contain the username."))
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise ValidationFailed.field("password", Msg("This password is too common; choose another."))


def create_user(
    username: str,
    password: str,
    role: str,
    region_code: str,
    display_name: str = "",
    email: str = "",
) -> User:
    """Create a user (no permission check: used by the CLI and by `admin_create`)."""
    if role not in ROLES:
        raise ValidationFailed.field("role", Msg("Unknown role '%(role)s'; choose one of %(roles)s.", role=role,
                                                 roles=", ".join(ROLES)))
    check_password_policy(password, username)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(Msg("User '%(name)s' exists.", name=username), {"username": ["This username is taken."]})
    with unit_of_work():
        user = User(
            username=username,
            role=role,
            region=_region(region_code),
            display_name=display_name,
            email=email,
        )
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        audit.record("user_create", "user", user.id, username, after=audit.snapshot_user(user))
    return user


def admin_create(actor: User, data: dict) -> User:
    permissions.require(actor, "manage_users")
    return create_user(
        data["username"],
        data["password"],
        data["role"],
        data["region"],
        data.get("display_name", ""),
        data.get("email", ""),
    )


def admin_update(actor: User, user_id: int, data: dict) -> User:
    permissions.require(actor, "manage_users")  # before the lookup: non-admins learn nothing of ids
    user = permissions.fetch(actor, User, user_id, action="manage_users", not_found=Msg("User not found."))
    before = audit.snapshot_user(user)
    with unit_of_work():
        if "role" in data:
            if data["role"] not in ROLES:
                raise ValidationFailed.field("role", Msg("Unknown role '%(role)s'.", role=data["role"]))
            user.role = data["role"]
        if "region" in data:
            user.region = _region(data["region"])
        for field in ("display_name", "email", "active"):
            if field in data:
                setattr(user, field, data[field])
        if data.get("password"):
            check_password_policy(data["password"], user.username)
            user.set_password(data["password"])
            # every web session of the user issued before the change stops working
            user.session_version = (user.session_version or 1) + 1
        if user.id == actor.id and (user.role != "admin" or not user.active):
            raise Conflict(Msg("You cannot remove your own administrator rights or deactivate yourself."))
        if data.get("password") or not user.active or {"role", "region"} & set(data):
            # new credentials or rights: API tokens issued before no longer speak for the user
            from app.services.auth import revoke_all_pending

            revoke_all_pending(user)
        old, new = audit.changes(before, audit.snapshot_user(user))
        if data.get("password"):
            old["password"], new["password"] = None, "********"
        audit.record("user_update", "user", user.id, user.username, old, new, actor=actor)
    return user


def list_users(actor: User) -> list[User]:
    permissions.require(actor, "manage_users")
    return list(db.session.scalars(select(User).order_by(User.username)))


def assignable(actor: User, region: Region | None = None) -> list[User]:
    """Active managers, engineers and admins who can see requirements of `region` (default: the
    actor's own region): those whose region is that region or above it."""
    from app.services.requirements import ASSIGNABLE_ROLES

    path = (region or actor.region).path
    return list(
        db.session.scalars(
            select(User)
            .join(Region, Region.id == User.region_id)
            .where(User.active.is_(True), User.role.in_(ASSIGNABLE_ROLES), literal(path).startswith(Region.path))
            .order_by(User.username)
        )
    )
