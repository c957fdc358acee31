"""The drill's certificate authority: the front's certificate is signed by it, for every host name."""

from __future__ import annotations

from cryptography import x509

from drillbook.replicas.toolbox import ca


def test_the_front_certificate_names_every_host_and_is_signed_by_the_drills_authority() -> None:
    issued = ca.issue("a-drill", ["returnit.online", "api.stripe.com"])
    authority = x509.load_pem_x509_certificate(issued.authority_pem)
    front = x509.load_pem_x509_certificate(issued.certificate_pem)
    names = front.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["returnit.online", "api.stripe.com"]
    front.verify_directly_issued_by(authority)
    assert authority.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert b"PRIVATE KEY" in issued.key_pem and b"PRIVATE KEY" not in issued.authority_pem


def test_each_drill_gets_its_own_authority() -> None:
    first, second = ca.issue("a", ["x.test"]), ca.issue("b", ["x.test"])
    assert first.authority_pem != second.authority_pem
