import unittest
from duration import parse_duration

class Hidden(unittest.TestCase):
    def test_seconds(self):
        self.assertEqual(parse_duration('2m5s'), 125)
        self.assertEqual(parse_duration('90s'), 90)
        self.assertEqual(parse_duration('1h'), 3600)

    def test_invalid(self):
        for bad in ['soon', '']:
            with self.assertRaises(ValueError):
                parse_duration(bad)

if __name__ == '__main__':
    unittest.main()
