"""Freedom of Information requests on WhatDoTheyKnow (an Alaveteli site) as a target kind."""
