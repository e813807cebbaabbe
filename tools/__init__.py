"""Developer tools: template building, README pictures, the city services on loopback."""
