"""The DICOM receiver: C-ECHO, and C-STORE of ultrasound images from the hospitals' allowed calling AE
titles into the ingest service. The decisions are in qa.services.dicom_network; this holds the network."""

import logging
import signal

from django.core.management.base import BaseCommand
from django.db import connection
from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import Verification

from qa.services.dicom_classes import STORAGE_CLASSES, TRANSFER_SYNTAXES
from qa.services.dicom_network import STATUS_PROCESSING_FAILURE, calling_ae_for, dicom_store_received

logger = logging.getLogger("qa.dicom_receiver")

# A-ASSOCIATE-RJ: rejected permanent, by the service user, calling AE title not recognised.
_REJECT_UNKNOWN_CALLER = (0x01, 0x01, 0x03)


def _on_requested(event):
    """Accept only the allowed calling AE titles (from their allowed addresses)."""
    assoc = event.assoc
    title = assoc.requestor.primitive.calling_ae_title
    address = assoc.requestor.address
    try:
        assoc.fusqa_calling_ae = calling_ae_for(ae_title=title, address=address)
    except BaseException:
        _close_database_connection()
        raise
    if assoc.fusqa_calling_ae is None:
        _close_database_connection()
        logger.warning("rejected association from %r at %s: calling AE title not allowed", title, address)
        assoc.acse.send_reject(*_REJECT_UNKNOWN_CALLER)
        assoc.kill()


def _on_store(event):
    calling_ae = getattr(event.assoc, "fusqa_calling_ae", None)
    if calling_ae is None:
        return STATUS_PROCESSING_FAILURE
    # A connection broken during an earlier C-STORE of this association is replaced, not reused.
    connection.close_if_unusable_or_obsolete()
    try:
        outcome = dicom_store_received(
            calling_ae=calling_ae,
            address=event.assoc.requestor.address,
            read_file=event.encoded_dataset,
        )
    finally:
        _restart_idle_timer(event.assoc)
    logger.info("C-STORE from %s: status 0x%04X %s", calling_ae.ae_title, outcome.status, outcome.comment)
    if outcome.status == 0x0000:
        return 0x0000
    reply = Dataset()
    reply.Status = outcome.status
    reply.ErrorComment = outcome.comment
    return reply


def _restart_idle_timer(assoc) -> None:
    """The network timeout counts from the peer's last PDU; while a long cine is ingested the peer waits for
    our answer, so that time is ours, not the peer's silence. Without this, an ingest longer than the
    timeout aborts the association right after its success was sent (pynetdicom has no public hook)."""
    timer = getattr(getattr(assoc, "dul", None), "_idle_timer", None)
    if timer is not None:
        timer.restart()


def _on_echo(event):
    return 0x0000


def _on_association_end(event):
    _close_database_connection()


def _close_database_connection():
    # Each association runs in a thread of its own, and Django opens a connection per thread: it is kept
    # for the association's C-STOREs (a new PostgreSQL connection for each file cost more than its
    # queries) and closed when the association is released or aborted, so none is left behind.
    connection.close()


class Command(BaseCommand):
    help = "Receive ultrasound DICOM images (C-STORE) and answer C-ECHO from the hospitals' calling AE titles."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--bind", default="0.0.0.0", help="Address to listen on")
        parser.add_argument("--ae-title", default="FUSQA")
        parser.add_argument("--max-associations", type=int, default=10)
        parser.add_argument(
            "--max-pdu",
            type=int,
            default=0,
            help="Largest PDU the receiver takes, in bytes (0: no limit, so a sender sends a file in few PDUs)",
        )
        parser.add_argument("--acse-timeout", type=float, default=30, help="Seconds to wait for association messages")
        parser.add_argument("--dimse-timeout", type=float, default=60, help="Seconds to wait for DIMSE messages")
        parser.add_argument(
            "--network-timeout", type=float, default=60, help="Seconds an idle association is kept before it is dropped"
        )

    def handle(
        self, *args, port, bind, ae_title, max_associations, max_pdu, acse_timeout, dimse_timeout, network_timeout, **o
    ):
        ae = AE(ae_title=ae_title)
        ae.maximum_associations = max_associations
        ae.maximum_pdu_size = max_pdu
        ae.acse_timeout = acse_timeout
        ae.dimse_timeout = dimse_timeout
        ae.network_timeout = network_timeout
        for sop_class in STORAGE_CLASSES:
            ae.add_supported_context(sop_class, TRANSFER_SYNTAXES)
        ae.add_supported_context(Verification)
        handlers = [
            (evt.EVT_REQUESTED, _on_requested),
            (evt.EVT_C_STORE, _on_store),
            (evt.EVT_C_ECHO, _on_echo),
            (evt.EVT_RELEASED, _on_association_end),
            (evt.EVT_ABORTED, _on_association_end),
        ]
        server = ae.start_server((bind, port), block=False, evt_handlers=handlers)
        self.stdout.write(f"DICOM receiver {ae_title} listening on {bind}:{port}", ending="\n")
        self.stdout.flush()
        stop = {"now": False}

        def shut_down(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGTERM, shut_down)
        signal.signal(signal.SIGINT, shut_down)
        try:
            while not stop["now"]:
                signal.pause()
        finally:
            server.shutdown()
