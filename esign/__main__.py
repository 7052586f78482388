from esign.cli.main import app

app()
