import unittest
from temperature import c_to_f

class TempTest(unittest.TestCase):
    def test_boiling(self):
        self.assertEqual(c_to_f(100), 212)

if __name__ == '__main__':
    unittest.main()
