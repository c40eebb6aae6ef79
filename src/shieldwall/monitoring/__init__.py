"""End-use monitoring: serial-numbered items, their custody chain, inspections, disposition and loss reports."""
