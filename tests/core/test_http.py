from django.test import RequestFactory

from core.http import client_ip


def test_client_ip_reads_the_hop_the_proxy_count_names(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.0.0.7", REMOTE_ADDR="10.0.0.1")
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.7"  # a spoofed left-most hop is never trusted
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # no proxy: the socket's address
    settings.AXES_IPWARE_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"  # fewer hops than proxies: the header is not trusted
