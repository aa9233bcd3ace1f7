"""Equipment sizing helpers: hand-computed geometry."""

import pytest

from reeflow.core.errors import InputError
from reeflow.economics.sizing import mixer_settler_volume_m3, organic_inventory_m3, tank_volume_m3


def test_tank_volume():
    assert tank_volume_m3(100.0, 2.0, 0.8) == pytest.approx(250.0)
    with pytest.raises(InputError, match="fill_frac"):
        tank_volume_m3(100.0, 2.0, 1.5)


def test_mixer_settler_and_organic():
    # Q = 30 + 20 = 50 m3/h; mixer 50 * 3/60 = 2.5 m3; settler 50/5 = 10 m2 * 0.8 m = 8 m3
    v = mixer_settler_volume_m3(10, 30.0, 20.0, mixer_residence_min=3.0,
                                settler_specific_flow_m3_per_h_m2=5.0, settler_depth_m=0.8)
    assert v == pytest.approx(10 * (2.5 + 8.0))
    # organic: mixer 20 * 3/60 = 1 m3; layer 10 m2 * 0.3 m = 3 m3; x 10 stages x 1.2
    o = organic_inventory_m3(10, 30.0, 20.0, mixer_residence_min=3.0,
                             settler_specific_flow_m3_per_h_m2=5.0, organic_layer_depth_m=0.3,
                             tank_allowance_frac=0.2)
    assert o == pytest.approx(10 * 4.0 * 1.2)
    assert o < v
    with pytest.raises(InputError, match="stages"):
        mixer_settler_volume_m3(0, 30.0, 20.0, mixer_residence_min=3.0,
                                settler_specific_flow_m3_per_h_m2=5.0, settler_depth_m=0.8)
