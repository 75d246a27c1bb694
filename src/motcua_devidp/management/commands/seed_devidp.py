"""Load the demo residents (residents.json) and register motcua as this provider's client."""

import datetime as dt
import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import get_application_model

from motcua_devidp.models import Resident

RESIDENTS = Path(__file__).resolve().parents[2] / "residents.json"
CALLBACK_PATH = "/cong-dan/dang-nhap/xong/"


def load_residents() -> list[dict]:
    return json.loads(RESIDENTS.read_text(encoding="utf-8"))["residents"]


class Command(BaseCommand):
    help = "Nạp cư dân mẫu và đăng ký motcua làm ứng dụng của nhà cung cấp định danh thử nghiệm."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rp-base-url",
            default=os.environ.get("MOTCUA_PUBLIC_BASE_URL", "http://127.0.0.1:8000"),
            help="motcua's public address (its callback and sign-out return are under it)",
        )
        parser.add_argument("--client-id", default=os.environ.get("MOTCUA_OIDC_CLIENT_ID", ""))
        parser.add_argument(
            "--client-secret", default=os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "")
        )

    @transaction.atomic
    def handle(self, *args, rp_base_url, client_id, client_secret, **options):
        if not client_id or not client_secret:
            raise CommandError("client id and secret are required (MOTCUA_OIDC_CLIENT_ID/SECRET)")
        base = rp_base_url.rstrip("/")
        user_model = get_user_model()
        for row in load_residents():
            user, _ = user_model.objects.get_or_create(username=row["citizen_id"])
            user.first_name = row["full_name"][:150]
            user.set_password(row["password"])
            user.save()
            Resident.objects.update_or_create(
                user=user,
                defaults={
                    "citizen_id": row["citizen_id"],
                    "full_name": row["full_name"],
                    "birthdate": dt.date.fromisoformat(row["birthdate"]),
                    "gender": row["gender"],
                    "address": row["address"],
                    "identity_level": int(row["identity_level"]),
                },
            )
        application_model = get_application_model()
        app = application_model.objects.filter(client_id=client_id).first()
        if app is None:
            app = application_model(client_id=client_id)
        app.name = "motcua"
        app.client_type = application_model.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
        app.algorithm = application_model.RS256_ALGORITHM
        app.skip_authorization = True
        app.redirect_uris = base + CALLBACK_PATH
        app.post_logout_redirect_uris = base + "/"
        app.client_secret = client_secret  # hashed on save
        app.save()
        self.stdout.write(f"devidp: {len(load_residents())} residents, client {client_id}")
