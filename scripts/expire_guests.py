"""End the guest accesses whose time is over (access_requests.py).

Run by `make expire-guests` (once a day, from cron or a systemd timer); see
scripts/site_job.py for the database it opens and its environment.
"""

from site_job import run


def main():
    from ern.cpms.access_requests import expire_guests

    print(f"{run(expire_guests)} guest access(es) ended.")


if __name__ == "__main__":
    main()
