"""Send the daily notification digests of the site served by `make start`.

Run by `make digests` (once a day, from cron or a systemd timer); see
scripts/site_job.py for the database it opens and its environment.
"""

from site_job import run


def main():
    from ern.cpms.notifications import send_digests

    print(f"{run(send_digests)} digest(s) sent.")


if __name__ == "__main__":
    main()
