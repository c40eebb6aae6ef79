"""Logistics: hubs, shipments of pledge lines through them, and receipts by the recipient."""
