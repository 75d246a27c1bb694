"""The claims of a resident's ID token (and userinfo): what VNeID-like providers return."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class ResidentClaims(OAuth2Validator):
    # Every claim whatever the scopes asked: motcua asks for all of them anyway.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        resident = request.user.resident
        return {
            "citizen_id": resident.citizen_id,
            "name": resident.full_name,
            "birthdate": resident.birthdate.isoformat(),
            "gender": resident.gender,
            "address": {"formatted": resident.address},
            "identity_level": resident.identity_level,
        }
