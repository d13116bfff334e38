"""Files written whole or not at all: through a partial file beside them, renamed over them at the end."""
import contextlib
import json
import os


@contextlib.contextmanager
def written(path):
    """The name of a partial file to write `path` through: renamed to `path` when the block ends, removed when
    it fails, so that `path` holds either what it held or the whole new content."""
    partial = f'{path}.{os.getpid()}.partial'
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def write_json(path, data):
    """`data` as JSON in `path`, whole or not at all; an OSError names `path`."""
    try:
        with written(path) as partial, open(partial, 'x') as f:
            json.dump(data, f, indent=1)
            f.write('\n')
    except OSError as error:
        raise OSError(error.errno, error.strerror, path) from None


def check_writable(path):
    """Raise OSError unless a file can be made beside `path` (its folder exists, takes a file, takes its name)."""
    partial = f'{path}.{os.getpid()}.partial'
    open(partial, 'x').close()
    os.remove(partial)
