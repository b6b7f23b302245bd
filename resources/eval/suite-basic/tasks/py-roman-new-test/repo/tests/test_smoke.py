import unittest
import roman

class Smoke(unittest.TestCase):
    def test_imports(self):
        self.assertTrue(callable(roman.to_roman))

if __name__ == '__main__':
    unittest.main()
