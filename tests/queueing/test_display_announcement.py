"""The spoken announcement: its words, the WAV from espeak-ng's Vietnamese voice, the chime."""

import pytest

from motcua.queueing import announce, services

AUDIO = "/hang-doi/am-thanh/18073/{name}.wav"


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "code,counter,shown,spoken",
    [
        (
            "A012",
            3,
            "Mời công dân có số A012 đến quầy số 3",
            "Mời công dân có số, a, không một hai, đến quầy số ba.",
        ),
        (
            "B001",
            12,
            "Mời công dân có số B001 đến quầy số 12",
            "Mời công dân có số, bê, không không một, đến quầy số mười hai.",
        ),
        (
            "C105",
            21,
            "Mời công dân có số C105 đến quầy số 21",
            "Mời công dân có số, xê, một không năm, đến quầy số hai mươi mốt.",
        ),
        (
            "A1000",
            15,
            "Mời công dân có số A1000 đến quầy số 15",
            "Mời công dân có số, a, một không không không, đến quầy số mười lăm.",
        ),
    ],
)
def test_announcement_reads_the_code_digit_by_digit_and_the_counter_as_a_number(
    code, counter, shown, spoken
):
    assert announce.announcement_text(code, counter) == shown
    assert announce.spoken_text(code, counter) == spoken


@pytest.mark.parametrize(
    "n,words",
    [(0, "không"), (10, "mười"), (14, "mười bốn"), (24, "hai mươi tư"), (105, "một trăm linh năm")],
)
def test_counter_numbers_are_read_in_vietnamese(n, words):
    assert announce.read_number(n) == words


def test_the_call_is_spoken_as_a_wav_made_by_espeak_ng_and_cached(
    client, var_dir, open_counters, officer, issue
):
    ticket = issue("A")
    services.call_next(counter=open_counters[1], officer=officer)
    response = client.get(AUDIO.format(name=f"{ticket.code}-1"))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "max-age" in response["Cache-Control"]
    data = response.content
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert len(data) > 20_000  # a real sentence, not an empty header
    cached = list((var_dir / "announcements").glob("*.wav"))
    assert len(cached) == 1 and cached[0].read_bytes() == data
    again = client.get(AUDIO.format(name=f"{ticket.code}-1"))
    assert again.content == data


@pytest.mark.parametrize(
    "name",
    [
        "a001-1",  # lower case
        "A001",  # no counter
        "A001-0",  # no counter 0
        "A01-1",  # two digits
        "AA001-1",
        "A001-1-1",
        "A001-9",  # no such counter
        "B001-1",  # no such ticket
        "..%2Fetc-1",
    ],
)
def test_junk_audio_names_are_404(client, var_dir, open_counters, issue, name):
    issue("A")
    assert client.get(AUDIO.format(name=name)).status_code == 404
    assert not list(var_dir.glob("announcements/*.wav"))  # nothing made for junk


def test_another_communes_ticket_is_not_spoken_on_this_boards_address(
    client, var_dir, commune, other_commune, open_counters, issue
):
    ticket = issue("A")
    assert (
        client.get(f"/hang-doi/am-thanh/{other_commune.code}/{ticket.code}-1.wav").status_code
        == 404
    )


def test_without_espeak_ng_the_audio_answers_503_and_the_board_shows_text_only(
    client, settings, var_dir, open_counters, issue, caplog
):
    settings.MOTCUA_ESPEAK_BINARY = "espeak-ng-not-installed"
    ticket = issue("A")
    response = client.get(AUDIO.format(name=f"{ticket.code}-1"))
    assert response.status_code == 503
    assert "espeak-ng" in response.content.decode()
    assert "display audio unavailable" in caplog.text


def test_the_chime_is_a_short_wav(client, var_dir):
    response = client.get("/hang-doi/am-thanh/chuong.wav")
    assert response.status_code == 200
    data = response.content
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert 20_000 < len(data) < 100_000  # about one second at 22 kHz, 16 bit
