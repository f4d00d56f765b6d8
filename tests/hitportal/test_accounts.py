import re

from django.core import mail
from django.urls import reverse

from tests import factories as f
from tests.factories.teams import PASSWORD


def test_login_with_email_lands_on_home(client, db):
    f.UserFactory(email="dana@example.org")

    response = client.post(reverse("login"), {"username": "dana@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_post_only_and_ends_session(client, no_role_user):
    client.force_login(no_role_user)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_text_and_html_email_with_working_link(client, db):
    user = f.UserFactory(email="reset@example.org")

    client.post(reverse("password_reset"), {"email": "reset@example.org"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset@example.org"]
    assert "\n" not in message.subject
    assert message.alternatives[0][1] == "text/html"
    link = re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", message.body).group(0)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "A-new-long-passphrase", "new_password2": "A-new-long-passphrase"},
    )
    assert done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("A-new-long-passphrase")


def test_password_reset_unknown_email_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_requires_old_password(client, no_role_user):
    client.force_login(no_role_user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "A-new-long-passphrase",
            "new_password2": "A-new-long-passphrase",
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    no_role_user.refresh_from_db()
    assert no_role_user.check_password(PASSWORD)


def test_profile_updates_name_and_lists_roles(client, director, hit):
    client.force_login(director)

    page = client.get(reverse("profile"))
    response = client.post(reverse("profile"), {"full_name": "Dana D. Director"})

    assert page.context["role_labels"] == ["HIT director", "HIT member"]
    assert [m.hit for m in page.context["memberships"]] == [hit]
    assert response.url == reverse("profile")
    director.refresh_from_db()
    assert director.full_name == "Dana D. Director"


def test_profile_rejects_blank_name(client, director):
    client.force_login(director)

    response = client.post(reverse("profile"), {"full_name": ""})

    assert response.context["form"].errors == {"full_name": ["This field is required."]}
