"""The web pages: signed action links and the alert page behind them."""
